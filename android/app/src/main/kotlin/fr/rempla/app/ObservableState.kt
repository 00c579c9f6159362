package fr.rempla.app

import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.State
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import fr.rempla.shared.Observable

/** A `shared` Observable as Compose state (the view models have no coroutines, by design). */
@Composable
fun <T> Observable<T>.asState(): State<T> {
    val state = remember(this) { mutableStateOf(value) }
    DisposableEffect(this) {
        val unsubscribe = subscribe { state.value = it }
        onDispose { unsubscribe() }
    }
    return state
}
