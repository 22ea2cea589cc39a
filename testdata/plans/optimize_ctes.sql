CREATE TABLE ws (o int, w int, cost int);
CREATE TABLE r (o int);
-- queries
WITH pairs AS (SELECT a.o, a.w AS w1, b.w AS w2 FROM ws a, ws b WHERE a.o = b.o AND a.w <> b.w) SELECT count(*) FROM ws WHERE o IN (SELECT o FROM pairs) AND o IN (SELECT r.o FROM r, pairs WHERE r.o = pairs.o)
