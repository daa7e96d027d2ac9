"""The Timeline (issue 3): ``queries`` selects, counts and describes the items in SQL; ``timeline`` draws them (points or density), the table and an item's detail."""
