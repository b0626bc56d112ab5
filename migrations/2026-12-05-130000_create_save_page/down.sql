DROP FUNCTION save_page(bigint, text[], integer, text, text[], text[], text[], text[], text[], date[]);
