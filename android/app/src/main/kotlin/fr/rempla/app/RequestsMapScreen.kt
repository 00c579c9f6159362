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

/** Open requests cached on the device, clustered, on a MapLibre Native map; the visible box is queried offline. */
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
                    val box = MapBounds(b.latitudeSouth, b.longitudeWest, b.latitudeNorth, b.longitudeEast)
                    val zoom = map.cameraPosition.zoom.toInt().coerceIn(0, 22).toUByte()
                    // Core's grid clusters: one bubble per cell, a pin when a cell holds one request.
                    runCatching { calendar.mapClusters(box, zoom) }.getOrDefault(emptyList()).forEach { c ->
                        map.addMarker(
                            MarkerOptions().position(LatLng(c.lat, c.lon))
                                .title(if (c.requestId != null) "Demande" else "${c.count} demandes"),
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
