"""Pictures and reports: folium maps, PNG charts, the comparison report."""
