"""The Scrapy project: spiders, items, pipelines and settings of cleancrawl."""
