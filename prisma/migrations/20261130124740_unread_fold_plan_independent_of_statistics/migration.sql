-- The fold's statement joins the oldest deltas to their live users and deletes them. A
-- VACUUM or ANALYZE that finds the delta table (nearly) empty — right after a fold, which
-- is when autovacuum tends to come and when the folding worker vacuums it — records that
-- it holds no rows, and the planner then nests loops over the whole table for every
-- delta: a fold of 10,000 deltas ran for minutes, and every badge summed ever more of
-- them meanwhile. Hash joins cost the same whatever the statistics say: the fold plans
-- with nested loops off. (CREATE OR REPLACE drops this setting: a later version of the
-- function must say SET enable_nestloop = off itself.)
ALTER FUNCTION aviso_fold_unread_deltas(integer) SET enable_nestloop = off;
