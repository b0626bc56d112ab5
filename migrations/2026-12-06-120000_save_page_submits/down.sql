DROP FUNCTION save_page(bigint, text[], integer, text, text[], text[], text[], text[], text[], date[], timestamptz, boolean, boolean, bytea);
DROP FUNCTION link_takes_answers(bigint, bytea);

CREATE FUNCTION save_page(
    p_response_id bigint,
    p_replaced text[],
    p_current_page integer,
    p_land_code text,
    p_questions text[],
    p_items text[],
    p_options text[],
    p_numbers text[],
    p_texts text[],
    p_dates date[]
) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    changing boolean;
BEGIN
    UPDATE responses
    SET current_page = coalesce(p_current_page, current_page),
        land_code = CASE WHEN reopened_at IS NULL THEN coalesce(p_land_code, land_code)
                         ELSE land_code END,
        updated_at = now()
    WHERE id = p_response_id AND (submitted_at IS NULL OR reopened_at IS NOT NULL)
    RETURNING reopened_at IS NOT NULL INTO changing;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF changing THEN
        DELETE FROM answer_changes
        WHERE response_id = p_response_id AND question_id = ANY(p_replaced);
        INSERT INTO answer_changes (response_id, question_id, item_id, option_code, number,
                                    text_value, date_value)
        SELECT p_response_id, q, i, o, n::numeric, t, d
        FROM unnest(p_questions, p_items, p_options, p_numbers, p_texts, p_dates)
            AS u(q, i, o, n, t, d);
    ELSE
        DELETE FROM answers WHERE response_id = p_response_id AND question_id = ANY(p_replaced);
        INSERT INTO answers (response_id, question_id, item_id, option_code, number, text_value,
                             date_value)
        SELECT p_response_id, q, i, o, n::numeric, t, d
        FROM unnest(p_questions, p_items, p_options, p_numbers, p_texts, p_dates)
            AS u(q, i, o, n, t, d);
    END IF;
    RETURN true;
END
$$;
