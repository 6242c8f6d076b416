"""People and places: actors, organizations, members, teams and spaces."""
