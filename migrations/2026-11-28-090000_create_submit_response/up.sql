-- A whole questionnaire sent as one form by a participant who has no response yet: the response is
-- started, filled and submitted, and the participant marked, in one call. A PL/pgSQL function keeps
-- the plans of its statements for the whole database session, so the busiest write of a wave is not
-- parsed and planned again on every submission (bench/submit.sh). Returns false, storing nothing,
-- when the participant has a response already.
CREATE FUNCTION submit_response(
    p_wave_id bigint,
    p_participant_id bigint,
    p_land_code text,
    p_attributes jsonb,
    p_now timestamptz,
    p_questions text[],
    p_items text[],
    p_options text[],
    p_numbers text[],
    p_texts text[],
    p_dates date[]
) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    new_id bigint;
BEGIN
    INSERT INTO responses (wave_id, participant_id, land_code, attributes, consented_at,
                           submitted_at, updated_at)
    VALUES (p_wave_id, p_participant_id, p_land_code, p_attributes, p_now, p_now, p_now)
    ON CONFLICT (participant_id) DO NOTHING
    RETURNING id INTO new_id;
    IF new_id IS NULL THEN
        RETURN false;
    END IF;
    INSERT INTO answers (response_id, question_id, item_id, option_code, number, text_value,
                         date_value)
    SELECT new_id, q, i, o, n::numeric, t, d
    FROM unnest(p_questions, p_items, p_options, p_numbers, p_texts, p_dates) AS u(q, i, o, n, t, d);
    UPDATE participants SET submitted_at = p_now WHERE id = p_participant_id;
    RETURN true;
END
$$;
