import SwiftUI
import RemplaFFI

/// Onboarding of a new doctor: the sign-up form, then the activation code of the e-mail (or its link).
struct RegisterView: View {
    @ObservedObject var session: SessionModel
    @State private var email = ""
    @State private var password = ""
    @State private var rpps = ""
    @State private var firstName = ""
    @State private var lastName = ""
    @State private var specialty = "medecine-generale"
    @State private var token = ""

    var body: some View {
        Form {
            if !session.awaitingActivation {
                TextField("E-mail", text: $email).textContentType(.username)
                SecureField("Mot de passe (10 caractères au moins)", text: $password)
                TextField("Numéro RPPS", text: $rpps).keyboardType(.numberPad)
                TextField("Prénom", text: $firstName)
                TextField("Nom", text: $lastName)
                TextField("Spécialité", text: $specialty)
                Button("Créer le compte") {
                    session.signUp(SignUpInput(
                        email: email, password: password, rpps: rpps, firstName: firstName,
                        lastName: lastName, specialties: [specialty]))
                }.disabled(session.busy)
            } else {
                Text("Un e-mail d'activation vous a été envoyé : ouvrez son lien, ou collez son code.")
                TextField("Code d'activation", text: $token)
                Button("Activer") { session.activate(token: token) }.disabled(token.isEmpty || session.busy)
            }
            if let error = session.error { Text(error).foregroundStyle(.red) }
        }
    }
}
