"""Listing tokens: filters and sorts in SQL, visibility, pages, the API's listing filters."""
