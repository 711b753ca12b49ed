"""Files as they arrive: what a file is and whether it may be read (intake), its values (grids),
the input walker (files, folders, zips), small tables (roster, budget list), atomic writes, the
value reader kept to one line about one file (safeparse) and the process pools (parallel,
workerpool)."""
