//! WGS 84 positions of sites and doctors' bases.

use serde::{Deserialize, Serialize};

use super::error::ValidationError;

/// A point on Earth in WGS 84 degrees; construction and deserialisation reject impossible coordinates.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawPoint")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GeoPoint {
    /// Latitude, −90..=90.
    pub lat: f64,
    /// Longitude, −180..=180.
    pub lon: f64,
}

#[derive(Deserialize)]
struct RawPoint {
    lat: f64,
    lon: f64,
}

impl TryFrom<RawPoint> for GeoPoint {
    type Error = ValidationError;
    fn try_from(raw: RawPoint) -> Result<Self, Self::Error> {
        GeoPoint::new(raw.lat, raw.lon)
    }
}

impl GeoPoint {
    /// Builds a point; NaN, infinities and out-of-range values are refused.
    pub fn new(lat: f64, lon: f64) -> Result<Self, ValidationError> {
        if lat.is_finite()
            && lon.is_finite()
            && (-90.0..=90.0).contains(&lat)
            && (-180.0..=180.0).contains(&lon)
        {
            Ok(Self { lat, lon })
        } else {
            Err(ValidationError::Coordinates {
                lat: lat.to_string(),
                lon: lon.to_string(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert!(GeoPoint::new(48.8566, 2.3522).is_ok());
        assert!(GeoPoint::new(-21.1151, 55.5364).is_ok());
        assert_eq!(GeoPoint::new(91.0, 0.0).unwrap_err().code(), "coordinates");
        assert_eq!(
            GeoPoint::new(0.0, f64::NAN).unwrap_err().code(),
            "coordinates"
        );
        assert!(serde_json::from_str::<GeoPoint>(r#"{"lat":100,"lon":0}"#).is_err());
        let p: GeoPoint = serde_json::from_str(r#"{"lat":45.76,"lon":4.84}"#).unwrap();
        assert!((p.lat - 45.76).abs() < f64::EPSILON);
    }
}
