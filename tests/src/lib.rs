//! Helpers shared by the integration tests: finding the local cluster that
//! `tests/cluster/up` started, and running commands against it.
