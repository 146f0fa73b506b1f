"""Long work as jobs: one job function per kind, run by RQ workers when Redis is
configured or by a local worker thread when it is not."""
