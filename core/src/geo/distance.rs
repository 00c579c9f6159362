//! Great-circle distance between two WGS 84 points.
//!
//! Written here rather than taken from the `geo` crate: the haversine formula is five lines, and `geo`
//! would pull a large geometry stack into a crate that runs on phones. Accuracy against the ellipsoid is
//! about 0.5 %, far below what travel radii need.

use crate::domain::GeoPoint;

/// Mean Earth radius (IUGG), in kilometres.
pub const EARTH_RADIUS_KM: f64 = 6_371.008_8;

/// Great-circle distance in kilometres between `a` and `b` (haversine formula, spherical Earth).
pub fn haversine_km(a: GeoPoint, b: GeoPoint) -> f64 {
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let d_lat = lat2 - lat1;
    let d_lon = (b.lon - a.lon).to_radians();
    let h = (d_lat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (d_lon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint::new(lat, lon).unwrap()
    }

    #[test]
    fn known_distances() {
        // Paris (Notre-Dame) – Lyon (Bellecour): 392 km as the crow flies.
        let d = haversine_km(p(48.8530, 2.3499), p(45.7578, 4.8320));
        assert!((d - 392.0).abs() < 2.0, "{d}");
        assert!(haversine_km(p(45.0, 4.0), p(45.0, 4.0)).abs() < 1e-9);
        // Antipodes: half the circumference, no NaN from rounding.
        let half = haversine_km(p(0.0, 0.0), p(0.0, 180.0));
        assert!((half - std::f64::consts::PI * EARTH_RADIUS_KM).abs() < 1e-6);
        // Across the antimeridian (Wallis-et-Futuna is at 176° W).
        assert!(haversine_km(p(-13.0, 179.9), p(-13.0, -179.9)) < 25.0);
    }
}
