package fr.rempla.app

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.NavigationBar
import androidx.compose.material3.NavigationBarItem
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import fr.rempla.ffi.OfflineCalendar
import fr.rempla.shared.CalendarViewModel
import fr.rempla.shared.InboxViewModel
import fr.rempla.shared.RemplaEvents
import fr.rempla.shared.SessionViewModel
import fr.rempla.shared.SyncViewModel
import java.io.File
import java.util.concurrent.Executors

/** The one activity: opens the offline calendar and hosts the screens. All logic is in `shared` and core. */
class MainActivity : ComponentActivity() {
    private lateinit var calendar: OfflineCalendar
    private val events = RemplaEvents()
    private lateinit var calendarVm: CalendarViewModel
    private lateinit var inboxVm: InboxViewModel
    private lateinit var sessionVm: SessionViewModel
    private lateinit var syncVm: SyncViewModel
    /** Network and sync calls block: one background thread runs them in order. */
    private val background = Executors.newSingleThreadExecutor()

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        calendar = OfflineCalendar.open(File(filesDir, "rempla.sqlite3").path)
        events.attach(calendar)
        calendarVm = CalendarViewModel(calendar)
        inboxVm = InboxViewModel(calendar, events)
        sessionVm = SessionViewModel(calendar, BuildConfig.REMPLA_SERVER, android.os.Build.MODEL, "android")
        syncVm = SyncViewModel(calendar, events)
        setContent {
            MaterialTheme {
                val sync by syncVm.state.asState()
                val session by sessionVm.state.asState()
                if (sync.sync?.signedIn != true && session.session == null) {
                    SignInScreen(sessionVm, background)
                    return@MaterialTheme
                }
                var tab by remember { mutableStateOf(0) }
                val unread by inboxVm.state.asState()
                Scaffold(
                    bottomBar = {
                        NavigationBar {
                            NavigationBarItem(tab == 0, { tab = 0 }, icon = { Text("📅") }, label = { Text("Calendrier") })
                            NavigationBarItem(
                                tab == 1, { tab = 1 },
                                icon = { Text(if (unread.unread > 0) "🔔 ${unread.unread}" else "🔔") },
                                label = { Text("Notifications") },
                            )
                            NavigationBarItem(tab == 2, { tab = 2 }, icon = { Text("🗺") }, label = { Text("Carte") })
                        }
                    },
                ) { padding ->
                    Column(Modifier.padding(padding)) {
                        SyncBanner(syncVm, background)
                        when (tab) {
                            0 -> CalendarScreen(calendarVm)
                            1 -> InboxScreen(inboxVm)
                            else -> RequestsMapScreen(calendar)
                        }
                    }
                }
            }
        }
    }

    override fun onDestroy() {
        background.shutdown()
        syncVm.close()
        inboxVm.close()
        calendar.clearEventListener()
        calendar.close() // frees the native store at once
        super.onDestroy()
    }
}
