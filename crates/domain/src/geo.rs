//! Places on the earth: where a shop is, where a visit was checked in.

use serde::{Deserialize, Serialize};

/// The earth's mean radius (IUGG), in metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A WGS 84 latitude and longitude, in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "openapi",
    schema(example = json!({"lat": 29.3316, "lng": 120.1079}))
)]
pub struct GeoPoint {
    /// Degrees north (negative: south), -90 to 90.
    #[cfg_attr(feature = "openapi", schema(minimum = -90, maximum = 90))]
    pub lat: f64,
    /// Degrees east (negative: west), -180 to 180.
    #[cfg_attr(feature = "openapi", schema(minimum = -180, maximum = 180))]
    pub lng: f64,
}

impl GeoPoint {
    /// Checks that both coordinates are finite and in range.
    ///
    /// A point is not checked on construction, because it arrives from JSON as two plain
    /// numbers: call this on anything a client sent. A swapped pair (`lat` 120) is the usual
    /// client mistake and is caught here rather than stored as a point somewhere else.
    pub fn validate(&self) -> Result<(), String> {
        if !self.lat.is_finite() || !(-90.0..=90.0).contains(&self.lat) {
            return Err("latitude must be between -90 and 90 degrees".into());
        }
        if !self.lng.is_finite() || !(-180.0..=180.0).contains(&self.lng) {
            return Err("longitude must be between -180 and 180 degrees".into());
        }
        Ok(())
    }
}

/// The great-circle distance between two points, in metres, by the haversine formula.
///
/// A sphere is within 0.5% of the ellipsoid, which is plenty to tell whether a rep checking in
/// is at the shop or across town; the haversine form stays accurate for the short distances
/// that matter here, where the spherical law of cosines loses precision.
pub fn distance_m(a: GeoPoint, b: GeoPoint) -> f64 {
    let (lat_a, lat_b) = (a.lat.to_radians(), b.lat.to_radians());
    let d_lat = lat_b - lat_a;
    let d_lng = (b.lng - a.lng).to_radians();
    let h = (d_lat / 2.0).sin().powi(2) + lat_a.cos() * lat_b.cos() * (d_lng / 2.0).sin().powi(2);
    // Rounding can push h a hair above 1 for antipodal points; asin would then be NaN.
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(lat: f64, lng: f64) -> GeoPoint {
        GeoPoint { lat, lng }
    }

    fn assert_close(actual: f64, expected: f64, tolerance: f64) {
        assert!(
            (actual - expected).abs() <= tolerance,
            "expected {expected} ± {tolerance}, got {actual}"
        );
    }

    #[test]
    fn the_same_point_is_zero_metres_away() {
        let market = point(29.3316, 120.1079);
        assert_eq!(distance_m(market, market), 0.0);
    }

    #[test]
    fn along_a_meridian_the_distance_is_the_arc() {
        // Same longitude, 0.01° of latitude apart in Yiwu: the arc is R·Δφ exactly,
        // 6_371_008.8 m × 0.01 × π/180 = 1_111.950_8 m.
        let d = distance_m(point(29.3000, 120.0700), point(29.3100, 120.0700));
        assert_close(d, 1_111.950_8, 0.001);
    }

    #[test]
    fn along_a_parallel_the_distance_shrinks_with_latitude() {
        // 0.0114° of longitude at 29.306° N, about 1.1 km across Yiwu:
        // R × cos(29.306°) × 0.0114 × π/180 = 6_371_008.8 × 0.872018 × 1.98968e-4 ≈ 1_105.39 m.
        let d = distance_m(point(29.3060, 120.0760), point(29.3060, 120.0874));
        assert_close(d, 1_105.39, 0.01);
    }

    #[test]
    fn a_diagonal_in_yiwu_matches_the_law_of_cosines() {
        // Cross-checked with the spherical law of cosines, a different formula: 1_157.56 m.
        let d = distance_m(point(29.3060, 120.0760), point(29.3150, 120.0820));
        assert_close(d, 1_157.56, 0.01);
    }

    #[test]
    fn distance_is_symmetric() {
        let (a, b) = (point(29.3060, 120.0760), point(30.2741, 120.1551));
        assert_eq!(distance_m(a, b), distance_m(b, a));
    }

    #[test]
    fn whole_earth_distances() {
        let half_circumference = std::f64::consts::PI * EARTH_RADIUS_M;
        assert_close(
            distance_m(point(0.0, 0.0), point(90.0, 0.0)),
            half_circumference / 2.0,
            0.001,
        );
        assert_close(
            distance_m(point(0.0, 0.0), point(0.0, 180.0)),
            half_circumference,
            0.001,
        );
        // Across the antimeridian the short way round: 0.02° of longitude on the equator.
        assert_close(
            distance_m(point(0.0, 179.99), point(0.0, -179.99)),
            2.0 * 1_111.950_8,
            0.001,
        );
    }

    #[test]
    fn validation_checks_ranges_and_finiteness() {
        for good in [
            point(29.3316, 120.1079),
            point(90.0, 180.0),
            point(-90.0, -180.0),
            point(0.0, 0.0),
        ] {
            assert!(good.validate().is_ok(), "{good:?}");
        }
        for bad_lat in [90.0001, -90.5, f64::NAN, f64::INFINITY, 120.1079] {
            assert_eq!(
                point(bad_lat, 0.0).validate().unwrap_err(),
                "latitude must be between -90 and 90 degrees",
                "{bad_lat}"
            );
        }
        for bad_lng in [180.0001, -181.0, f64::NAN, f64::NEG_INFINITY] {
            assert_eq!(
                point(0.0, bad_lng).validate().unwrap_err(),
                "longitude must be between -180 and 180 degrees",
                "{bad_lng}"
            );
        }
    }

    #[test]
    fn points_serialise_as_lat_and_lng() {
        let p = point(29.3316, 120.1079);
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, r#"{"lat":29.3316,"lng":120.1079}"#);
        assert_eq!(serde_json::from_str::<GeoPoint>(&json).unwrap(), p);
    }
}
