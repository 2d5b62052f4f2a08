"""Party building and village culture (党建与乡风文明): meetings and the decision log, venues,
the culture archive and the culture competitions."""
