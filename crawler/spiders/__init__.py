"""The spiders of cleancrawl."""
