package fr.rempla.app

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.NavigationBar
import androidx.compose.material3.NavigationBarItem
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import fr.rempla.app.push.PushRegistration
import fr.rempla.shared.CalendarViewModel
import fr.rempla.shared.DocumentsViewModel
import fr.rempla.shared.InboxViewModel
import fr.rempla.shared.MissionsViewModel
import fr.rempla.shared.ProposalsViewModel
import fr.rempla.shared.SessionViewModel
import fr.rempla.shared.SyncViewModel

/** The one activity: hosts the screens over the application's calendar. All logic is in `shared` and core. */
class MainActivity : ComponentActivity() {
    private val app get() = application as RemplaApplication
    private lateinit var calendarVm: CalendarViewModel
    private lateinit var inboxVm: InboxViewModel
    private lateinit var sessionVm: SessionViewModel
    private lateinit var syncVm: SyncViewModel
    private lateinit var proposalsVm: ProposalsViewModel
    private lateinit var missionsVm: MissionsViewModel
    private lateinit var documentsVm: DocumentsViewModel

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val calendar = app.calendar
        val events = app.events
        val background = app.background
        calendarVm = CalendarViewModel(calendar)
        inboxVm = InboxViewModel(calendar, events)
        sessionVm = SessionViewModel(calendar, BuildConfig.REMPLA_SERVER, android.os.Build.MODEL, "android")
        syncVm = SyncViewModel(calendar, events)
        proposalsVm = ProposalsViewModel(calendar, events)
        missionsVm = MissionsViewModel(calendar, events)
        documentsVm = DocumentsViewModel(calendar)
        // The activation e-mail's link: https://…/activate?token=… opens the app (see the manifest).
        val activationToken = intent?.data?.getQueryParameter("token")
        setContent {
            MaterialTheme {
                val sync by syncVm.state.asState()
                val session by sessionVm.state.asState()
                val privacy by app.privacy.state.asState()
                var registering by remember { mutableStateOf(activationToken != null) }
                if (privacy.closed || (sync.sync?.signedIn != true && session.session == null)) {
                    if (registering) {
                        RegisterScreen(sessionVm, background, activationToken, onDone = { registering = false })
                    } else {
                        Column {
                            SignInScreen(sessionVm, background)
                            TextButton({ registering = true }) { Text("Créer un compte médecin") }
                        }
                    }
                    return@MaterialTheme
                }
                var tab by remember { mutableStateOf(0) }
                val unread by inboxVm.state.asState()
                val proposals by proposalsVm.state.asState()
                Scaffold(
                    bottomBar = {
                        NavigationBar {
                            NavigationBarItem(tab == 0, { tab = 0 }, icon = { Text("📅") }, label = { Text("Calendrier") })
                            NavigationBarItem(
                                tab == 1, { tab = 1 },
                                icon = { Text(if (proposals.answerable > 0) "✉ ${proposals.answerable}" else "✉") },
                                label = { Text("Propositions") },
                            )
                            NavigationBarItem(tab == 2, { tab = 2 }, icon = { Text("🩺") }, label = { Text("Missions") })
                            NavigationBarItem(
                                tab == 3, { tab = 3 },
                                icon = { Text(if (unread.unread > 0) "🔔 ${unread.unread}" else "🔔") },
                                label = { Text("Notifications") },
                            )
                            NavigationBarItem(tab == 4, { tab = 4 }, icon = { Text("🗺") }, label = { Text("Carte") })
                            NavigationBarItem(tab == 5, { tab = 5 }, icon = { Text("⚙") }, label = { Text("Plus") })
                        }
                    },
                ) { padding ->
                    Column(Modifier.padding(padding)) {
                        SyncBanner(syncVm, background)
                        when (tab) {
                            0 -> CalendarScreen(calendarVm)
                            1 -> ProposalsScreen(proposalsVm, background)
                            2 -> MissionsScreen(missionsVm, background)
                            3 -> InboxScreen(inboxVm)
                            4 -> RequestsMapScreen(calendar)
                            else -> Column {
                                DocumentsScreen(documentsVm, background)
                                PrivacyScreen(app.privacy, background, registerPush = { PushRegistration.start(this@MainActivity) })
                            }
                        }
                    }
                }
            }
        }
        // Signed in: (re)register this phone for push (FCM when Google services are there, else UnifiedPush).
        if (calendar.syncState().signedIn) PushRegistration.start(this)
    }

    override fun onDestroy() {
        syncVm.close()
        inboxVm.close()
        proposalsVm.close()
        missionsVm.close()
        super.onDestroy()
    }
}
