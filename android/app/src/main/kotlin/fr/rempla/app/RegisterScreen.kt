package fr.rempla.app

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import fr.rempla.ffi.SignUpInput
import fr.rempla.shared.SessionViewModel
import java.util.concurrent.Executor

/**
 * Onboarding for a new doctor: the sign-up form (RPPS checked offline with the server's rule), then
 * "check your e-mail" with a field for the activation code when the link was opened elsewhere. The
 * activation deep link ([activationToken]) fills it. Then back to sign-in ([onDone]).
 */
@Composable
fun RegisterScreen(
    vm: SessionViewModel,
    background: Executor,
    activationToken: String?,
    onDone: () -> Unit,
    modifier: Modifier = Modifier,
) {
    val state by vm.state.asState()
    var email by remember { mutableStateOf("") }
    var password by remember { mutableStateOf("") }
    var rpps by remember { mutableStateOf("") }
    var firstName by remember { mutableStateOf("") }
    var lastName by remember { mutableStateOf("") }
    var specialty by remember { mutableStateOf("medecine-generale") }
    var token by remember { mutableStateOf(activationToken.orEmpty()) }
    Column(modifier.padding(16.dp).verticalScroll(rememberScrollState())) {
        if (!state.awaitingActivation && token.isEmpty()) {
            Text("Créer mon compte médecin")
            OutlinedTextField(email, { email = it }, label = { Text("E-mail") })
            OutlinedTextField(
                password, { password = it }, label = { Text("Mot de passe (10 caractères au moins)") },
                visualTransformation = PasswordVisualTransformation(),
            )
            OutlinedTextField(rpps, { rpps = it }, label = { Text("Numéro RPPS") })
            OutlinedTextField(firstName, { firstName = it }, label = { Text("Prénom") })
            OutlinedTextField(lastName, { lastName = it }, label = { Text("Nom") })
            OutlinedTextField(specialty, { specialty = it }, label = { Text("Spécialité") })
            Button(
                { background.execute { vm.signUp(SignUpInput(email, password, rpps, firstName, lastName, listOf(specialty))) } },
                enabled = !state.busy,
            ) { Text("Créer le compte") }
        } else {
            Text("Un e-mail d'activation vous a été envoyé. Ouvrez son lien sur ce téléphone, ou collez son code :")
            OutlinedTextField(token, { token = it }, label = { Text("Code d'activation") })
            Button({ background.execute { if (vm.activate(token)) onDone() } }, enabled = !state.busy && token.isNotBlank()) {
                Text("Activer")
            }
        }
        state.error?.let { Text("${it.message} [${it.code}]") }
        TextButton(onDone) { Text("J'ai déjà un compte") }
    }
}
