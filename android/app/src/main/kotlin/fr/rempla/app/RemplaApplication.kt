package fr.rempla.app

import android.app.Application
import fr.rempla.ffi.OfflineCalendar
import fr.rempla.shared.PrivacyViewModel
import fr.rempla.shared.RemplaEvents
import java.io.File
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors

/**
 * The process-wide objects: the offline calendar (one native store per process), its event fan-out and
 * the background thread every blocking call runs on. The activity and the push services share them, so a
 * token that arrives while no screen is open is still registered.
 */
class RemplaApplication : Application() {
    /** The doctor's offline store; closed with the process. */
    val calendar: OfflineCalendar by lazy {
        OfflineCalendar.open(File(filesDir, "rempla.sqlite3").path).also { events.attach(it) }
    }

    /** Events of [calendar], fanned out to the view models. */
    val events = RemplaEvents()

    /** Network and sync calls block: one background thread runs them in order. */
    val background: ExecutorService = Executors.newSingleThreadExecutor()

    /** Push registration and export (the push services use it too). */
    val privacy: PrivacyViewModel by lazy { PrivacyViewModel(calendar) }

    /** A push arrived: the server's records are pulled (the inbox, proposals and missions refresh by events). */
    fun syncInBackground() = background.execute { runCatching { calendar.syncNow() } }
}
