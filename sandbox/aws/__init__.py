"""AWS in the sandbox: the chime-sdk-voice and Connect stand-ins, and the bridge to moto."""
