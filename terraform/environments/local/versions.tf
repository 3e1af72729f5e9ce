terraform {
  required_version = ">= 1.11, < 2.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 6.0"
    }
  }

  # State lives with the emulator's state (`just deploy-local` passes -backend-config=path=...),
  # and starts over whenever the emulator does.
  backend "local" {}
}
