//! The engine: everything that touches the cluster. Transports (ssh, local), cluster
//! facts, image pulls, allocations, runs and job tracking sit here, behind small traits.
