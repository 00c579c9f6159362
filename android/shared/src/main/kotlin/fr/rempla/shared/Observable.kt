package fr.rempla.shared

import java.util.concurrent.CopyOnWriteArrayList

/**
 * A value screens observe without any coroutine library (the view models must run on a plain JVM):
 * observers are called with the current value on subscribe, then on every change. Compose wraps it in a
 * `mutableStateOf`, SwiftUI-like shells in their own observable.
 */
class Observable<T>(initial: T) {
    @Volatile
    var value: T = initial
        private set
    private val observers = CopyOnWriteArrayList<(T) -> Unit>()

    /** Calls [observer] now and on every change; returns the function that unsubscribes it. */
    fun subscribe(observer: (T) -> Unit): () -> Unit {
        observers += observer
        observer(value)
        return { observers -= observer }
    }

    internal fun set(newValue: T) {
        value = newValue
        observers.forEach { it(newValue) }
    }
}
