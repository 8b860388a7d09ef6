-- Number 0012 is another branch's (episode rooms): this placeholder keeps the numbers without
-- a gap until that branch is merged, and is then dropped in favour of it.
SELECT 1;
