"""The staff area: one chrome (the admin's) for admin, dashboard, moderation, source health."""
