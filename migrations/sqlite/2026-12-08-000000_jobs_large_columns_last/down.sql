-- The physical order does not matter to jobs-bot: going back keeps the rebuilt table.
SELECT 1;
