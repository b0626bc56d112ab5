DROP FUNCTION submit_response(bigint, bigint, text, jsonb, timestamptz, text[], text[], text[], text[], text[], date[]);
