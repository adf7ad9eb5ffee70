def is_entries_sheet(rows): return False
