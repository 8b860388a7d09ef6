-- A feed whose last document was not well-formed XML: the parser's first complaint (NULL
-- while it is well-formed). Such a feed is read leniently, shown as such in /admin feed list,
-- and its new items wait for review even in auto mode, until a well-formed document clears it.
ALTER TABLE feeds ADD COLUMN not_well_formed TEXT;
