-- PostgreSQL only (planner statistics on case-folded expressions); SQLite's plan for these rules is
-- fixed by the compiler (the order lines reached from their order by a CROSS JOIN).
SELECT 1;
