"""Grading sources by their claims (issue 5): ``outcomes`` finds what became of each claim in SQL; ``reliability`` turns the counts into grades, letters and the Sources page's chart and table."""
