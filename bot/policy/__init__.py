"""Admin content: the policy files' schemas, versions in the database, the published bundle, guard rails, forms."""
