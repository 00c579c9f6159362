package fr.rempla.shared

import fr.rempla.ffi.DocumentRecord
import fr.rempla.ffi.OfflineCalendarInterface
import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.util.Locale

/** What the documents screen shows. */
data class DocumentsUiState(
    val documents: List<DocumentRecord> = emptyList(),
    /** "Hors ligne : liste du 23/11/2026 à 07:10" when the list is the copy kept on the device. */
    val offlineNote: String? = null,
    val loading: Boolean = false,
    val error: UiError? = null,
)

/**
 * The doctor's document vault: [load] reads it from the server (blocking: background executor); offline
 * the library answers with the list kept from the last read, which this says plainly.
 */
class DocumentsViewModel(
    private val calendar: OfflineCalendarInterface,
    private val zone: ZoneId = ZoneId.systemDefault(),
) {
    val state = Observable(DocumentsUiState())

    /** Loads the list (from the server, or the device's copy when offline). */
    fun load() {
        state.set(state.value.copy(loading = true, error = null))
        state.set(
            try {
                val list = calendar.documents()
                val note = if (list.fromCache) {
                    "Hors ligne : liste du ${stamp.format(Instant.parse(list.fetchedAt).atZone(zone))}"
                } else {
                    null
                }
                DocumentsUiState(list.documents, note)
            } catch (e: Exception) {
                state.value.copy(loading = false, error = UiError.of(e))
            },
        )
    }

    /**
     * Uploads a file the picker or the camera gave ([bytes] of [declaredType]); the library checks it
     * first (type by content, 10 Mo at most) and refuses with the server's codes. True when stored.
     */
    fun upload(bytes: ByteArray, declaredType: String, kind: String, name: String, expiresOn: String? = null, birthDate: String? = null): Boolean {
        state.set(state.value.copy(loading = true, error = null))
        return try {
            calendar.uploadDocument(bytes, declaredType, kind, name, expiresOn, birthDate)
            load()
            true
        } catch (e: Exception) {
            state.set(state.value.copy(loading = false, error = UiError.of(e)))
            false
        }
    }

    /** Deletes a document; true when done. */
    fun delete(id: String): Boolean = try {
        calendar.deleteDocument(id)
        load()
        true
    } catch (e: Exception) {
        state.set(state.value.copy(error = UiError.of(e)))
        false
    }

    companion object {
        private val stamp = DateTimeFormatter.ofPattern("dd/MM/yyyy 'à' HH:mm", Locale.FRANCE)

        /** The kind in French. */
        fun kindLabel(kind: String): String = when (kind) {
            "identity" -> "Pièce d'identité"
            "insurance" -> "Assurance RCP"
            "diploma" -> "Diplôme"
            "licence" -> "Licence de remplacement"
            else -> "Autre document"
        }
    }
}
