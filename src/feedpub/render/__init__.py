"""Rendering: plan.py plans every output; feeds.py, jsonfeed.py, html.py and sitemap.py
turn the site into bytes."""
