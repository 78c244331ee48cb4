"""The public results site: templates, style and font (package data), and their rendering."""
