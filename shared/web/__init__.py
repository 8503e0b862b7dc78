"""What the three screens share: error handlers, auth helpers, staff-session hooks, security headers,
i18n, base templates and static files."""
