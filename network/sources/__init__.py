"""Reading data: curated files, geometry, OpenStreetMap files and downloads."""
