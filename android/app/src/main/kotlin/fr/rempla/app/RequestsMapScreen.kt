package fr.rempla.app

import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.viewinterop.AndroidView
import fr.rempla.ffi.MapBounds
import fr.rempla.ffi.OfflineCalendarInterface
import org.maplibre.android.MapLibre
import org.maplibre.android.annotations.MarkerOptions
import org.maplibre.android.camera.CameraPosition
import org.maplibre.android.geometry.LatLng
import org.maplibre.android.maps.MapView

/** Open requests cached on the device, on a MapLibre Native map; the visible box is queried offline. */
@Composable
fun RequestsMapScreen(calendar: OfflineCalendarInterface, modifier: Modifier = Modifier) {
    val context = LocalContext.current
    val mapView = remember {
        MapLibre.getInstance(context)
        MapView(context).apply {
            onCreate(null)
            getMapAsync { map ->
                map.setStyle("https://demotiles.maplibre.org/style.json")
                map.cameraPosition = CameraPosition.Builder().target(LatLng(46.6, 2.4)).zoom(4.5).build()
                map.addOnCameraIdleListener {
                    val b = map.projection.visibleRegion.latLngBounds
                    map.clear()
                    runCatching {
                        calendar.cachedRequestsInBox(
                            MapBounds(b.latitudeSouth, b.longitudeWest, b.latitudeNorth, b.longitudeEast),
                        )
                    }.getOrDefault(emptyList()).forEach { r ->
                        map.addMarker(
                            MarkerOptions().position(LatLng(r.lat, r.lon)).title(r.specialty)
                                .snippet("${r.shifts.size} créneau(x)"),
                        )
                    }
                }
            }
        }
    }
    DisposableEffect(mapView) {
        mapView.onStart()
        onDispose {
            mapView.onStop()
            mapView.onDestroy()
        }
    }
    AndroidView({ mapView }, modifier)
}
