import ArgumentParser
import Crypto
import Foundation
import RampartCore
import RampartLedger
import RampartStore

/// `--subject`, shared by the commands about one subject.
struct SubjectOption: ParsableArguments {
    @Option(help: "The subject: the same pseudonymous id clients send as Rampart-Subject.") var subject: String
}

/// `--subject` and `--purpose`, shared by the consent commands.
struct ConsentOptions: ParsableArguments {
    @OptionGroup var who: SubjectOption
    @Option(help: "The purpose (an id from `purposes:`).") var purpose: String

    var subject: String { who.subject }
}
