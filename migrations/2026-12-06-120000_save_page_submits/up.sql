-- save_page() as one call for every page of a response that is not being changed, the last
-- page's "Absenden" included (bench/submit.sh, page by page):
-- * p_seen (or NULL) is the response's updated_at as the caller read it, with its answers: nothing
--   is saved (NULL is returned) if it changed since (another tab's page), and the caller takes the
--   general way in a transaction, reading again. As the caller's reading is then known to be what
--   is stored, p_replaced need name only the questions that had answers (none on a page seen for
--   the first time: no DELETE at all).
-- * p_submit submits the response with the save (the caller checked every required answer against
--   what it read; never a reopened response: its change is submitted the general way).
-- * p_quick: a move to another page ("Weiter", "Zurück") whose commit need not wait for the disk
--   (synchronous_commit off for this call's transaction, as participants' first visits are
--   recorded): a crash of the database server may lose the moves of its last fraction of a second
--   (at most three times wal_writer_delay, 0.6 s by default; never half of one), whose answers the
--   respondent's next look at the page or the check before submitting asks for again.
--   "Zwischenspeichern" (after which people leave) and every submission wait for the disk.
-- * p_token (or NULL) is the SHA-256 of the personal link the caller remembers the response by
--   (web::respondent::recent): nothing is saved unless that link still takes answers.
-- Returns the response's new updated_at (strictly later than the old one), or NULL.
DROP FUNCTION save_page(bigint, text[], integer, text, text[], text[], text[], text[], text[], date[]);

-- Whether the participant's personal link with this SHA-256 takes answers now: not renewed or
-- revoked, its wave open as waves::Wave::state says. For writes that trust what an earlier request
-- read (web::respondent::recent).
CREATE FUNCTION link_takes_answers(p_participant bigint, p_token bytea) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
    -- PL/pgSQL keeps the plan for the session (a LANGUAGE sql function called from a WHERE clause
    -- is planned on every call: bench/submit.sh, page by page, was four times slower).
    RETURN EXISTS (
        SELECT FROM participants p JOIN waves w ON w.id = p.wave_id
        WHERE p.id = p_participant AND p.token_sha256 = p_token AND p.revoked_at IS NULL
          AND NOT (coalesce(w.closed_at <= now(), false) OR coalesce(w.closes_at <= now(), false))
          AND (coalesce(w.opened_at <= now(), false) OR coalesce(w.opens_at <= now(), false)));
END
$$;

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
    p_dates date[],
    p_seen timestamptz,
    p_submit boolean,
    p_quick boolean,
    p_token bytea
) RETURNS timestamptz
LANGUAGE plpgsql AS $$
DECLARE
    changing boolean;
    participant bigint;
    saved_at timestamptz;
BEGIN
    UPDATE responses
    SET current_page = coalesce(p_current_page, current_page),
        land_code = CASE WHEN reopened_at IS NULL THEN coalesce(p_land_code, land_code)
                         ELSE land_code END,
        submitted_at = CASE WHEN p_submit THEN now() ELSE submitted_at END,
        updated_at = greatest(now(), updated_at + interval '1 microsecond')
    WHERE id = p_response_id AND (submitted_at IS NULL OR reopened_at IS NOT NULL)
      AND (p_seen IS NULL OR updated_at = p_seen)
      AND (NOT p_submit OR reopened_at IS NULL)
      AND (p_token IS NULL OR link_takes_answers(participant_id, p_token))
    RETURNING reopened_at IS NOT NULL, participant_id, updated_at
    INTO changing, participant, saved_at;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF p_quick AND NOT p_submit THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    -- The same statements for either table, written out: each keeps its plan for the session
    -- (EXECUTE format(…) would be planned on every call).
    IF changing THEN
        IF cardinality(p_replaced) > 0 THEN
            DELETE FROM answer_changes
            WHERE response_id = p_response_id AND question_id = ANY(p_replaced);
        END IF;
        IF cardinality(p_questions) > 0 THEN
            INSERT INTO answer_changes (response_id, question_id, item_id, option_code, number,
                                        text_value, date_value)
            SELECT p_response_id, q, i, o, n::numeric, t, d
            FROM unnest(p_questions, p_items, p_options, p_numbers, p_texts, p_dates)
                AS u(q, i, o, n, t, d);
        END IF;
    ELSE
        IF cardinality(p_replaced) > 0 THEN
            DELETE FROM answers
            WHERE response_id = p_response_id AND question_id = ANY(p_replaced);
        END IF;
        IF cardinality(p_questions) > 0 THEN
            INSERT INTO answers (response_id, question_id, item_id, option_code, number,
                                 text_value, date_value)
            SELECT p_response_id, q, i, o, n::numeric, t, d
            FROM unnest(p_questions, p_items, p_options, p_numbers, p_texts, p_dates)
                AS u(q, i, o, n, t, d);
        END IF;
    END IF;
    IF p_submit AND participant IS NOT NULL THEN
        UPDATE participants SET submitted_at = now() WHERE id = participant;
    END IF;
    RETURN saved_at;
END
$$;
