"""Building the multimodal graph, its edge arrays and the Network value."""
