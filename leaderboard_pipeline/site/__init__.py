"""The static leaderboard site: HTML pages, our own CSS/JS and inline SVG charts, built from the warehouse."""

from leaderboard_pipeline.site.build import SiteReport, build_site

__all__ = ["SiteReport", "build_site"]
