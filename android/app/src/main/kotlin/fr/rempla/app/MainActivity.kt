package fr.rempla.app

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
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
import java.io.File

/** The one activity: opens the offline calendar and hosts the screens. All logic is in `shared` and core. */
class MainActivity : ComponentActivity() {
    private lateinit var calendar: OfflineCalendar
    private val events = RemplaEvents()
    private lateinit var calendarVm: CalendarViewModel
    private lateinit var inboxVm: InboxViewModel

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        calendar = OfflineCalendar.open(File(filesDir, "rempla.sqlite3").path)
        events.attach(calendar)
        calendarVm = CalendarViewModel(calendar)
        inboxVm = InboxViewModel(calendar, events)
        setContent {
            MaterialTheme {
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
                    val modifier = Modifier.padding(padding)
                    when (tab) {
                        0 -> CalendarScreen(calendarVm, modifier)
                        1 -> InboxScreen(inboxVm, modifier)
                        else -> RequestsMapScreen(calendar, modifier)
                    }
                }
            }
        }
    }

    override fun onDestroy() {
        inboxVm.close()
        calendar.clearEventListener()
        calendar.close() // frees the native store at once
        super.onDestroy()
    }
}
