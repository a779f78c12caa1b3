//! The `gemhole` command; it serves nothing yet: the server arrives in the next commit.

fn main() {
    eprintln!("gemhole: the server is not built yet");
    std::process::exit(1);
}
