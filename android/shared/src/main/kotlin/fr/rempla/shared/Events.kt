package fr.rempla.shared

import fr.rempla.ffi.EventListener
import fr.rempla.ffi.OfflineCalendarInterface
import fr.rempla.ffi.RemplaEvent
import java.util.concurrent.CopyOnWriteArrayList

/**
 * Fans the one native event listener of a calendar out to every view model that cares (inbox badge,
 * calendar refresh, sync banner). Install it once per open calendar with [attach].
 */
class RemplaEvents : EventListener {
    private val subscribers = CopyOnWriteArrayList<(RemplaEvent) -> Unit>()

    /** Receives every event; returns the function that unsubscribes. */
    fun subscribe(subscriber: (RemplaEvent) -> Unit): () -> Unit {
        subscribers += subscriber
        return { subscribers -= subscriber }
    }

    override fun onEvent(event: RemplaEvent) {
        subscribers.forEach { it(event) }
    }

    /** Makes this the calendar's listener. */
    fun attach(calendar: OfflineCalendarInterface) = calendar.setEventListener(this)
}
