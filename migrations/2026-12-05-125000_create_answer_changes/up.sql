-- The draft of a change to a submitted response: "Antworten ändern" copies the submitted answers
-- here, the pages then save here, and only submitting again replaces the response's `answers` (in
-- one transaction). Reports, rates and exports read `answers` alone, so a half-finished change is
-- never counted; a change not submitted before the wave closes is never applied.
CREATE TABLE answer_changes (
    response_id bigint NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    question_id text NOT NULL,
    item_id     text NOT NULL DEFAULT '',
    option_code text NOT NULL DEFAULT '',
    number      numeric,
    text_value  text,
    date_value  date,
    PRIMARY KEY (response_id, question_id, item_id, option_code)
);
