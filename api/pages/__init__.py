"""What every HTML page of the API shares, whatever its area (site, dashboard, editors,
review, analytics) and the e-mails: one Jinja environment, one security-headers
middleware, page authentication and rendering, and the French error pages."""
