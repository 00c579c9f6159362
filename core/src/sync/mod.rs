//! Values shared with the sync protocol (being written).
