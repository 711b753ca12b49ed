"""Files as they arrive: what a file is and whether it may be read (intake), its values (grids),
the input walker (files, folders, zips), small tables (roster, budget list), atomic writes and the
process pool."""
